"""The scikit-learn side of `node dist/bench/run.js algorithms` (benchmark only, never in CI).

Reads the JSON the benchmark writes (per data set: the encoded training and hold-out rows aimass
trained and tested on, so both sides see the same numbers and the same split) and prints each
scikit-learn estimator's hold-out AUC with its default hyper-parameters as one JSON line.
Run with Debian's python3-sklearn: /usr/bin/python3 bench/sklearn/quality.py FILE
"""
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
import sklearn

ESTIMATORS = {
    "LOGISTIC_REGRESSION": lambda: LogisticRegression(),
    "NAIVE_BAYES": lambda: GaussianNB(),
    "DECISION_TREE": lambda: DecisionTreeClassifier(random_state=0),
    "RANDOM_FOREST": lambda: RandomForestClassifier(random_state=0),
    "GRADIENT_BOOSTED_TREES": lambda: HistGradientBoostingClassifier(random_state=0),
    "MLP": lambda: MLPClassifier(random_state=0, max_iter=200),
    "SVM": lambda: SVC(probability=True, random_state=0),
}


def main() -> None:
    with open(sys.argv[1]) as f:
        datasets = json.load(f)
    out = {"sklearn": sklearn.__version__, "datasets": {}}
    for name, d in datasets.items():
        width = d["width"]
        x_train = np.asarray(d["trainX"], dtype=np.float64).reshape(-1, width)
        x_test = np.asarray(d["testX"], dtype=np.float64).reshape(-1, width)
        y_train = np.asarray(d["trainY"])
        y_test = np.asarray(d["testY"])
        aucs = {}
        for architecture, make in ESTIMATORS.items():
            model = make().fit(x_train, y_train)
            aucs[architecture] = float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
        out["datasets"][name] = aucs
    print(json.dumps(out))


if __name__ == "__main__":
    main()
