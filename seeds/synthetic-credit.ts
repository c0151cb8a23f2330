import { createRandom } from '../src/ml/random';

/**
 * SYNTHETIC credit applicants, generated with a fixed seed so every install gets the same rows.
 * Defaults follow a logistic function of debt burden, history and employment, plus noise, so
 * a model has something real to learn. Not real people.
 */
export function syntheticCreditCsv(rows = 2000, seed = 20261129): string {
  const random = createRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const lines = ['age,income,loan_amount,duration_months,employment_years,housing,purpose,prior_defaults,default'];
  for (let i = 0; i < rows; i++) {
    const age = Math.round(Math.min(75, Math.max(19, 40 + 12 * normal())));
    const income = Math.round(Math.max(12_000, Math.exp(10.8 + 0.45 * normal())));
    const loan = Math.round(Math.max(500, income * (0.1 + 0.35 * random())));
    const duration = pick([6, 12, 18, 24, 36, 48, 60]);
    const employment = Math.max(0, Math.min(age - 18, Math.round(Math.abs(6 + 6 * normal()))));
    const housing = pick(['own', 'own', 'rent', 'rent', 'free']);
    const purpose = pick(['car', 'furniture', 'education', 'business', 'repairs', 'holiday']);
    const priorDefaults = random() < 0.12 ? 1 + Math.floor(random() * 3) : 0;
    const logit = -2.2 + 3.5 * (loan / income) + 0.02 * duration - 0.08 * employment + 0.9 * priorDefaults + (housing === 'rent' ? 0.4 : 0) + 0.5 * normal();
    const defaulted = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    lines.push([age, income, loan, duration, employment, housing, purpose, priorDefaults, defaulted].join(','));
  }
  return lines.join('\n') + '\n';
}
