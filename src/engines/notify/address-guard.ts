import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';

/**
 * The SSRF guard of webhooks: an address in a private, loopback, link-local, shared (CGNAT) or
 * unspecified range, or one of this machine's own interfaces, is not a place to send a
 * server-side request to unless WEBHOOK_ALLOW_PRIVATE is set.
 */
const BLOCKED = (() => {
  const list = new net.BlockList();
  for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
    list.addSubnet(network, prefix, 'ipv4');
  }
  for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) list.addSubnet(network, prefix, 'ipv6');
  return list;
})();

/** This machine's own addresses, public ones included: a webhook must not call back into it. */
function ownAddresses(): Set<string> {
  return new Set(Object.values(os.networkInterfaces()).flatMap((ifaces) => (ifaces ?? []).map((i) => i.address)));
}

/** Why `address` may not be called, or null when it may. IPv4-mapped IPv6 addresses are judged as IPv4. */
export function blockedReason(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const family = net.isIP(ip);
  if (family === 0) return `${address} is not an IP address`;
  if (BLOCKED.check(ip, family === 4 ? 'ipv4' : 'ipv6')) return `${address} is a private, loopback or link-local address`;
  if (ownAddresses().has(ip)) return `${address} is this server's own address`;
  return null;
}

/**
 * A `lookup` for http.request that resolves as usual and refuses a blocked address, so the check
 * applies to the address actually connected to (a name that changes its answer between the check
 * and the request, DNS rebinding, cannot slip through).
 */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      const refused = allowPrivate ? null : list.map((a) => blockedReason(a.address)).find((reason) => reason !== null);
      if (refused) return callback(Object.assign(new Error(`refused: ${hostname} resolves to ${refused} (WEBHOOK_ALLOW_PRIVATE is off)`), { code: 'EBLOCKED' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
}

/** Checks a webhook URL when it is created: its scheme, and where its host resolves now. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http or https';
  if (url.username || url.password) return 'must not carry credentials; sign with the webhook secret instead';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return blockedReason(host);
  try {
    const addresses = await dns.promises.lookup(host, { all: true });
    return addresses.map((a) => blockedReason(a.address)).find((reason) => reason !== null) ?? null;
  } catch (error) {
    return `cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}
