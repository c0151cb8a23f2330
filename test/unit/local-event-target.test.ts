import { describe, expect, it } from 'vitest';
import { LocalEventTarget } from '../../src/engines/events/local-event-target';

describe('LocalEventTarget', () => {
  it('calls the listeners of a type, in order, until removed; a throwing listener stops neither the others nor the publisher', async () => {
    const target = new LocalEventTarget();
    const heard: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => { uncaught.push(error); };
    process.prependListener('uncaughtException', onUncaught);
    const a = (event: Event) => heard.push(`a:${(event as CustomEvent).detail}`);
    const b = { handleEvent: (event: Event) => heard.push(`b:${(event as CustomEvent).detail}`) };
    target.addEventListener('T', a);
    target.addEventListener('T', () => { throw new Error('boom'); });
    target.addEventListener('T', b);
    target.addEventListener('U', a);
    expect(target.dispatchEvent(new CustomEvent('T', { detail: 1 }))).toBe(true);
    target.removeEventListener('T', a);
    target.dispatchEvent(new CustomEvent('T', { detail: 2 }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    process.removeListener('uncaughtException', onUncaught);
    expect(heard).toEqual(['a:1', 'b:1', 'b:2']);
    expect(uncaught.map((e) => (e as Error).message)).toEqual(['boom', 'boom']);
  });
});
