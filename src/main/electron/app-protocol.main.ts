// Electron's protocol glue for app://tokendeck: declares the scheme's privileges before ready and
// serves the renderer's build folder through security/app-protocol-handler.ts after.
import type { CustomScheme } from 'electron'
import { APP_SCHEME } from '../security/app-url'
import { createAppRequestHandler } from '../security/app-protocol-handler'

/** Privileges for app://: a secure standard scheme; no CSP bypass, no service workers. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: {
    standard: true,
    secure: true,
    supportFetchAPI: false,
    bypassCSP: false,
    allowServiceWorkers: false,
    corsEnabled: false,
    stream: false,
    codeCache: false,
    allowExtensions: false,
  },
}

interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void
}

/** Before app ready: declares app:// as a secure standard scheme. */
export function registerAppScheme(protocol: Pick<ProtocolLike, 'registerSchemesAsPrivileged'>) {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])
}

/** After app ready: serves `root` on app://tokendeck. */
export function serveAppProtocol(
  protocol: Pick<ProtocolLike, 'handle'>,
  root: string,
  log?: (line: string) => void,
): void {
  protocol.handle(APP_SCHEME, createAppRequestHandler(root, log ? { log } : {}))
}
