// V8's compile cache for the CLI's own code (Node's module.enableCompileCache): a run reuses the
// bytecode an earlier run compiled instead of compiling every module again. Only in a folder of
// this user's alone (the machine's state folder), never a shared temp folder: bytecode there
// would run as this program. TOKENDECK_COMPILE_CACHE=off leaves it off.
import fs from 'node:fs'
import module from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { localStateDir } from '../app-identity'
import { privateFolder } from '../platform/path-safety'

export function useCompileCache(env: NodeJS.ProcessEnv): void {
  if (env.TOKENDECK_COMPILE_CACHE === 'off' || typeof module.enableCompileCache !== 'function') {
    return
  }
  try {
    const state = localStateDir({ platform: process.platform, env, home: os.homedir() })
    const dir = path.join(state, 'compile-cache')
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    if (!privateFolder(dir).ok) return
    module.enableCompileCache(dir)
  } catch {
    // No cache: every module is compiled, as without one.
  }
}
