/**
 * `stream.next()`, started before it is awaited: so a live subscription opens at once, or the
 * next event is on its way while the consumer handles this one. Its rejection (a slow subscriber
 * cut off) is raised where it is awaited; until then it must not count as unhandled. The stream's
 * generator may be suspended at a `yield` to a slow consumer, or closed for good, when it comes,
 * and an unhandled rejection ends a Node process (found by CI: the slow-subscriber tests on Redis).
 */
export function nextAhead<T>(stream: AsyncIterator<T>): Promise<IteratorResult<T>> {
  const next = stream.next();
  next.catch(() => undefined);
  return next;
}
