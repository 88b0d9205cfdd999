// Name resolution for `localhost`: answered here, never asked of DNS. Shared by the provider HTTP
// client and the gateway's upstream pool (both send to loopback sandboxes and local APIs).
import type { LookupFunction } from 'node:net'

/**
 * `localhost` is this machine by definition: it is answered here (IPv4 first, then IPv6) and never
 * asked of DNS or /etc/hosts, which could send it elsewhere. Only used for the name `localhost`.
 */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  const f = options.family
  const family = f === 'IPv4' ? 4 : f === 'IPv6' ? 6 : (f ?? 0)
  const all = [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ].filter((a) => family === 0 || family === a.family)
  if (options.all) {
    callback(null, all)
    return
  }
  const first = all[0] ?? { address: '127.0.0.1', family: 4 }
  callback(null, first.address, first.family)
}
