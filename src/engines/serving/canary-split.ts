import { createHash } from 'node:crypto';

/**
 * Whether a request goes to the canary. With a routing key (a customer id, say) the answer is a
 * hash of the key and the challenger's id, so one customer meets one version for the whole life
 * of a canary (and may meet the other one in the next canary); without one, a fair coin per
 * request weighted by `trafficPercent`.
 */
export function goesToCanary(challengerId: string, trafficPercent: number, routingKey: string | null | undefined, random: () => number = Math.random): boolean {
  if (routingKey == null) return random() * 100 < trafficPercent;
  return bucketOf(challengerId, routingKey) < trafficPercent;
}

/** The key's bucket from 0 to 99: the first 4 bytes of SHA-1(challenger, key), uniform enough for a split. */
export function bucketOf(challengerId: string, routingKey: string): number {
  return createHash('sha1').update(challengerId).update('\0').update(routingKey).digest().readUInt32BE(0) % 100;
}
