/** The per-socket half: payload texts waiting for their frame, by token. */
export interface PayloadSlots {
  last: number;
  texts: Map<number, string>;
}

export const newPayloadSlots = (): PayloadSlots => ({ last: 0, texts: new Map() });

const MARK = '"payload":{"sharedPayload":';

/**
 * Each `next` payload serialised once however many sockets receive it. graphql-ws stringifies
 * every frame itself, per socket; subscriptions that share an execution (StreamContexts shares
 * one result object between subscribers with the same document, variables and permissions) would
 * each pay for the same JSON. Instead, `mark` (in onNext) hands graphql-ws a tiny stand-in,
 * `{"sharedPayload":<token>}`, and remembers the result's text under that token on this socket;
 * `frame` (in the socket's send) swaps the stand-in for the text. The text is cached by result
 * object, so only sockets handed the very same result share it: sharing never crosses the
 * boundary StreamContexts draws.
 */
export class SharedPayloads {
  private readonly texts = new WeakMap<object, string>();

  /** The stand-in payload for `result` on the socket of `slots`; `toPayload` shapes the result (errors formatted) when it is first serialised. */
  mark(slots: PayloadSlots, result: object, toPayload: (result: object) => unknown): { sharedPayload: number } {
    let text = this.texts.get(result);
    if (text === undefined) this.texts.set(result, (text = JSON.stringify(toPayload(result))));
    const token = ++slots.last;
    slots.texts.set(token, text);
    return { sharedPayload: token };
  }

  /** `data` with a stand-in payload replaced by its text (each stand-in is used once); any other message as is. */
  static frame(slots: PayloadSlots, data: string): string {
    if (slots.texts.size === 0 || !data.endsWith('}}')) return data;
    const at = data.lastIndexOf(MARK);
    if (at < 0) return data;
    const token = Number(data.slice(at + MARK.length, -2));
    const text = slots.texts.get(token);
    if (text === undefined) return data;
    slots.texts.delete(token);
    return `${data.slice(0, at)}"payload":${text}}`;
  }
}
