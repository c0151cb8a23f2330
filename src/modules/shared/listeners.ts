/**
 * What a service tells later modules about, where it happens: a later module (retrain policies,
 * notifications) adds a listener; the service calls `emit` after its own write has committed. A
 * listener runs on its own: its failure is logged, and never fails or slows the work it hears of.
 */
export class Listeners<T> {
  private readonly list: ((value: T) => Promise<void>)[] = [];

  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  add(listener: (value: T) => Promise<void>): void {
    this.list.push(listener);
  }

  emit(value: T): void {
    for (const listener of this.list) void listener(value).catch(this.onError);
  }
}
