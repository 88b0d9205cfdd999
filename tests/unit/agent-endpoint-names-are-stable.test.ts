// Where the agent of a vault listens is derived from the vault's folder, and a CLI of one version
// must find an agent another version started: the names stay exactly as they were (the hash of
// the folder under $XDG_RUNTIME_DIR and in a Windows pipe name, the folder itself otherwise).
import { createHash } from 'node:crypto'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { agentEndpoint } from '../../src/main/agent/endpoint'
import { tempDir } from '../helpers/vault'

const vault = path.resolve('/home/someone/.config/TokenDeck/vault')
const id = createHash('sha256').update(vault).digest('hex').slice(0, 16)

describe('agent endpoint names', () => {
  it('under $XDG_RUNTIME_DIR, beside the vault without it, a pipe on Windows, or the override', () => {
    const runtime = tempDir()
    expect(agentEndpoint(vault, { XDG_RUNTIME_DIR: runtime }, 'linux')).toBe(
      path.join(runtime, 'tokendeck', `agent-${id}.sock`),
    )
    expect(agentEndpoint(vault, {}, 'linux')).toBe(path.join(vault, '.agent', 'agent.sock'))
    expect(agentEndpoint(vault, { XDG_RUNTIME_DIR: 'relative/dir' }, 'linux')).toBe(
      path.join(vault, '.agent', 'agent.sock'),
    )
    expect(agentEndpoint(vault, {}, 'win32')).toBe(`\\\\.\\pipe\\tokendeck-agent-${id}`)
    expect(agentEndpoint(vault, { TOKENDECK_AGENT_SOCK: '/x/a.sock' }, 'linux')).toBe('/x/a.sock')
  })
})
