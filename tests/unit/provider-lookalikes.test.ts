// Guarantee: a custom provider profile cannot pass for a built-in one. Its name or id may not be a
// lookalike of a built-in's after NFKC (fullwidth, mathematical letters), invisible characters
// (zero-width, bidi), accents, case, Cyrillic and Greek letters drawn like Latin ones, 0/o and
// 1/l/I, "rn" for "m", and punctuation or spaces are taken out; honest names pass. Attacked as a
// hostile profile file would be: imported through the real CLI, and planted in the vault by an
// older TokenDeck (below the import check), where it is kept out of the registry, saying why.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseUserProfile, registryFor } from '../../src/main/providers/registry'
import { shownName, skeleton } from '../../src/shared/providers/lookalike'
import { ok } from '../../src/shared/result'
import { CLI, runCli, cheapVault } from '../helpers/cli'
import { newVault, tempDir } from '../helpers/vault'

const classic = () =>
  JSON.parse(fs.readFileSync('src/main/providers/builtin/classic.json', 'utf8')) as Record<
    string,
    unknown
  >
/** A valid custom profile (the classic API's shape) with this id and name. */
const profile = (id: string, name: string) => ({ ...classic(), id, name })

const TPSTREAMS_LOOKALIKES = [
  'TРStreams', // Cyrillic Er
  'ТPЅtrеаms', // Cyrillic Te, Dze, Ie, A
  'TPStrеams', // one Cyrillic Ie
  'TΡStreams', // Greek Rho
  'ＴＰＳｔｒｅａｍｓ', // fullwidth
  '𝐓𝐏𝐒𝐭𝐫𝐞𝐚𝐦𝐬', // mathematical bold
  'TP\u200dStreams', // zero-width joiner inside
  'TP\u200bStreams', // zero-width space
  '\u202eTPStreams', // right-to-left override
  'TPStreams\u2066', // a bidi isolate after it
  'TPStréams', // an accent
  'TPStreams.', // trailing punctuation
  'TP Streams',
  'TP-Streams',
  'TPStrearns', // rn for m
  'TPStrea\u200cms',
]

describe('a custom profile cannot take a lookalike of a built-in name or id', () => {
  it.each(TPSTREAMS_LOOKALIKES)('refuses the name %j', (name) => {
    expect(skeleton(name)).toBe(skeleton('TPStreams'))
    const r = parseUserProfile(JSON.stringify(profile('my-provider', name)))
    if (r.ok) throw new Error(`"${name}" was accepted`)
    expect(r.code).toBe('CONFLICT')
    expect(r.message).toMatch(
      /^(The name ".*" looks like the built-in provider "TPStreams"|".*" is the name of a built-in)/,
    )
    // The message shows what is hidden: no invisible or look-alike character reaches it raw.
    expect(r.message).not.toMatch(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/)
  })

  it('refuses lookalikes of xpay and the classic API, by name and by id', () => {
    for (const name of [
      'xpαy',
      'хрay',
      'XPAY.',
      'C1assic Token API',
      'CIassic Tokеn AРI',
      'Classic token-API',
    ]) {
      const r = parseUserProfile(JSON.stringify(profile('my-provider', name)))
      expect(!r.ok && r.code, name).toBe('CONFLICT')
    }
    for (const id of ['tp-streams', 'tpstrearns', 'tpstreams-', 'x-pay', 'c1assic', 'classlc']) {
      const r = parseUserProfile(JSON.stringify(profile(id, 'Something else')))
      expect(!r.ok && [r.code, r.message], id).toEqual([
        'CONFLICT',
        expect.stringMatching(new RegExp(`^The id "${id}" looks like the built-in provider id`)),
      ])
    }
  })

  it('lets honest names and ids through', () => {
    for (const [id, name] of [
      ['tpstreams-staging', 'TPStreams Staging'],
      ['xpay-eu', 'xpay (staging)'],
      ['classic-v2', 'Classic token API v2'],
      ['acme-metrics', 'Acme Metrics'],
      ['streams', 'Streams'],
      ['tp', 'TP'],
      ['payx', 'Дом'],
      ['classic-token', 'Classic'],
    ]) {
      const r = parseUserProfile(JSON.stringify(profile(id!, name!)))
      expect(r.ok, `${id} / ${name}: ${r.ok ? '' : r.message}`).toBe(true)
    }
  })

  it('shows a name with its hidden characters spelled out', () => {
    expect(shownName('T\u0420Streams\u200d')).toBe('T<U+0420>Streams<U+200D>')
  })

  it('the real CLI refuses to import one, and lists only the built-in', async () => {
    const dir = path.join(tempDir(), 'vault')
    await cheapVault(dir)
    expect(fs.existsSync(CLI)).toBe(true)
    const file = path.join(tempDir(), 'tpstreams.json')
    fs.writeFileSync(file, JSON.stringify(profile('tpstreams-mirror', 'TРStreams')))
    const add = await runCli(['providers', 'add', file], dir)
    expect(add.code).not.toBe(0)
    expect(add.stderr).toContain('looks like the built-in provider "TPStreams"')
    expect(add.stderr).toContain('T<U+0420>Streams')
    const list = await runCli(['providers', 'list', '--json'], dir)
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).not.toContain('tpstreams-mirror')
  })

  it('keeps a lookalike imported before this rule out of the registry, saying why', async () => {
    const v = await newVault()
    const planted = await v.vault.mutate((d) => {
      d.customProfiles.push(profile('tpstreams-mirror', 'TPStrеams'))
      return ok(undefined)
    })
    expect(planted.ok).toBe(true)
    const registry = v.vault.providers()
    if (!registry.ok) throw new Error(registry.message)
    expect(registry.value.get('tpstreams-mirror')).toBeUndefined()
    expect(registry.value.list().map((p) => p.id)).toEqual(['tpstreams', 'xpay', 'classic'])
    expect(registry.value.missing('tpstreams-mirror').message).toMatch(
      /no longer passes validation \(The name "TPStr<U\+0435>ams" looks like the built-in provider "TPStreams"/,
    )
    // The same rule, as a pure function of the stored list.
    expect(registryFor([profile('honest', 'Honest API')]).get('honest')?.name).toBe('Honest API')
  })
})
