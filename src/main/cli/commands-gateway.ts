// `tokendeck gateway` (the header-injecting local reverse proxy) and `tokendeck gateway policy`.
import { fail } from '../../shared/result'
import type { Ctx } from './context'
import { report } from './io'

export async function gateway(ctx: Ctx): Promise<number> {
  return report(fail('UNSUPPORTED', 'Not yet.'), ctx)
}

export async function gatewayPolicy(ctx: Ctx): Promise<number> {
  return report(fail('UNSUPPORTED', 'Not yet.'), ctx)
}
