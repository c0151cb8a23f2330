type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

/**
 * The in-process bus's EventTarget: listeners by type in a Map of Sets, called in a plain loop.
 * Node's EventTarget does the same job with a wrapper and checks per listener per event; with a
 * thousand subscribers of one run, its dispatch was a visible share of the fan-out profile. Only
 * what the pub/sub uses is here (add, remove, dispatch; no options). As with Node's EventTarget,
 * a listener that throws neither stops the others nor the publisher: its error is rethrown on
 * its own, as an uncaught exception.
 */
export class LocalEventTarget implements EventTarget {
  private readonly listeners = new Map<string, Set<Listener>>();

  addEventListener(type: string, listener: Listener | null): void {
    if (!listener) return;
    let found = this.listeners.get(type);
    if (!found) this.listeners.set(type, (found = new Set()));
    found.add(listener);
  }

  removeEventListener(type: string, listener: Listener | null): void {
    const found = this.listeners.get(type);
    if (!found || !listener) return;
    found.delete(listener);
    if (found.size === 0) this.listeners.delete(type);
  }

  dispatchEvent(event: Event): boolean {
    const found = this.listeners.get(event.type);
    if (!found) return true;
    // A listener added during this dispatch hears the next event, not this one (as with EventTarget).
    for (const listener of found.size === 1 ? found : [...found]) {
      try {
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      } catch (error) {
        queueMicrotask(() => { throw error; });
      }
    }
    return true;
  }
}
