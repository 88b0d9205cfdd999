// `tokendeck version` / `tokendeck --version`: the package's version (read from package.json when
// the CLI is built, so the command, the npm package and the app always agree).
import { version as packageVersion } from '../../../package.json'
import type { Ctx } from './ctx'
import { EXIT, print, printJson } from './io'

export const VERSION: string = packageVersion

export async function version(ctx: Ctx): Promise<number> {
  if (ctx.json) printJson({ name: 'tokendeck', version: VERSION })
  else print(`tokendeck ${VERSION}`)
  return EXIT.ok
}
