// Builds the real app core, agent, gateway and IPC handler table over temp folders and the real
// sandbox, with recording fakes for the Electron-only ports (clipboard, the browser a login
// page opens in). Used by unit tests and the e2e harness.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { cliInstallActions, type CliInstallActions } from '../../src/main/actions/cli-install'
import { AppAgent } from '../../src/main/app-agent'
import { AppCore, type HeaderCopier } from '../../src/main/app-core'
import { AppGateway } from '../../src/main/app-gateway'
import { createHandlers, type HandlerTable } from '../../src/main/ipc/handlers'
import { LoginPages } from '../../src/main/login-pages'
import { createHttpClient } from '../../src/main/providers/http-client'
import { startSandbox, type OauthSandboxOptions, type SandboxSet } from '../../src/main/sandbox'
import type { LoginPromptView } from '../../src/shared/login-prompt'
import type { SafeStoragePort } from '../../src/main/vault'
import type { Clock } from '../../src/shared/clock'
import { systemClock } from '../../src/shared/clock'

/** Records every copy; `clear` callbacks are not scheduled here (see clipboard tests). */
export class RecordingCopier implements HeaderCopier {
  readonly copies: { text: string; clearAfterSeconds: number }[] = []
  copy(text: string, clearAfterSeconds: number): void {
    this.copies.push({ text, clearAfterSeconds })
  }
}

/** A fake OS keychain that really transforms bytes (XOR) and can pretend to be any backend. */
export class FakeSafeStorage implements SafeStoragePort {
  constructor(
    public backend = 'gnome_libsecret',
    public available = true,
  ) {}
  isEncryptionAvailable(): boolean {
    return this.available
  }
  getSelectedStorageBackend(): string {
    return this.backend
  }
  encryptString(plain: string): Buffer {
    return Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a))
  }
  decryptString(enc: Buffer): string {
    return Buffer.from(enc.map((b) => b ^ 0x5a)).toString('utf8')
  }
}

export interface TestApp {
  core: AppCore
  handlers: HandlerTable
  sandbox: SandboxSet
  copier: RecordingCopier
  safeStorage: FakeSafeStorage
  vaultDir: string
  /** This "machine's" state folder (seen-vaults.ts): the app's, apart from the tests' own. */
  stateDir: string
  /** The app's agent (its server runs with `agent: true`), as index.main.ts builds it. */
  agent: AppAgent
  agentEndpoint: string
  /** Called when the agent's prompts or sessions change (the window's vault:agent-changed). */
  onAgentChange(listener: () => void): () => void
  /** The app's gateway, as index.main.ts builds it (it runs once Settings turn it on). */
  gateway: AppGateway
  /** "Install the tokendeck command", over this app's own temp HOME (never the real one). */
  cliCommand: CliInstallActions
  /** That HOME: the launcher goes to <cliHome>/.local/bin/tokendeck. */
  cliHome: string
  /** Opens login pages and copies user codes, as index.main.ts builds it. */
  loginPages: LoginPages
  /** Every URL the app asked the (recording) browser to open, oldest first. */
  opened: string[]
  /** Called with the prompts shown now on each change (the window's vault:login-prompts). */
  onLoginPrompts(listener: (prompts: LoginPromptView[]) => void): () => void
  close(): Promise<void>
}

export async function startTestApp(
  opts: {
    clock?: Clock
    deadlineMs?: number
    sandbox?: SandboxSet
    agent?: boolean
    /** The OAuth sandbox's options (a short device-flow interval). */
    oauth?: OauthSandboxOptions
    /** The wait between device-flow polls (AppCore's `wait`). */
    wait?: (ms: number, signal: AbortSignal) => Promise<void>
  } = {},
): Promise<TestApp> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tokendeck-app-'))
  const sandbox =
    opts.sandbox ??
    (await startSandbox({
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.oauth ? { oauth: opts.oauth } : {}),
    }))
  const copier = new RecordingCopier()
  const safeStorage = new FakeSafeStorage()
  let demo = 0
  const core = new AppCore({
    vaultDir: path.join(root, 'vault'),
    demoDir: () => path.join(root, `demo-${++demo}`),
    clock: opts.clock ?? systemClock,
    platform: 'linux',
    safeStorage,
    clipboard: copier,
    http: createHttpClient({ defaultDeadlineMs: opts.deadlineMs ?? 3000 }),
    startSandbox: () => startSandbox(opts.clock ? { clock: opts.clock } : {}),
    stateDir: path.join(root, 'state'),
    ...(opts.wait ? { wait: opts.wait } : {}),
  })
  const opened: string[] = []
  const promptListeners = new Set<(prompts: LoginPromptView[]) => void>()
  const loginPages = new LoginPages({
    logins: core.actions.logins,
    openExternal: async (url) => {
      opened.push(url)
    },
    clipboard: copier,
    clock: opts.clock ?? systemClock,
    send: (prompts) => {
      for (const l of promptListeners) l(prompts)
    },
  })
  loginPages.start()
  const agentListeners = new Set<() => void>()
  const agentEndpoint = path.join(root, 'agent', 'agent.sock')
  const agent = new AppAgent({
    core,
    endpoint: agentEndpoint,
    vaultDir: path.join(root, 'vault'),
    clock: opts.clock ?? systemClock,
    notify: () => {
      for (const l of agentListeners) l()
    },
    log: () => {},
  })
  if (opts.agent) {
    const started = await agent.start()
    if (!started.ok) throw new Error(`agent: ${started.message}`)
  }
  const gateway = new AppGateway({ core, clipboard: copier, log: () => {} })
  const cliHome = path.join(root, 'home')
  fs.mkdirSync(cliHome, { mode: 0o700 })
  const cliCommand = cliInstallActions({
    platform: 'linux',
    env: { HOME: cliHome, PATH: '/usr/local/bin:/usr/bin:/bin', SHELL: '/bin/bash' },
    home: cliHome,
    appCommand: [process.execPath, process.cwd()],
  })
  return {
    core,
    handlers: createHandlers(core, () => {}, {
      agent: agent.approvals,
      gateway,
      cliCommand,
      loginPages,
    }),
    loginPages,
    opened,
    onLoginPrompts: (l) => {
      promptListeners.add(l)
      return () => promptListeners.delete(l)
    },
    agent,
    gateway,
    cliCommand,
    cliHome,
    agentEndpoint,
    onAgentChange: (l) => {
      agentListeners.add(l)
      return () => agentListeners.delete(l)
    },
    sandbox,
    copier,
    safeStorage,
    vaultDir: path.join(root, 'vault'),
    stateDir: path.join(root, 'state'),
    close: async () => {
      loginPages.dispose()
      await agent.close()
      await gateway.close()
      await core.dispose()
      if (!opts.sandbox) await sandbox.close()
    },
  }
}
