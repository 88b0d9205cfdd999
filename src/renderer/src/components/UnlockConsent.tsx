// The two questions an unlock may ask before anything is written: open a copy of the vault file
// older than the newest this computer saw (VAULT_ROLLED_BACK), or upgrade a format 1 vault after
// checking what nothing authenticated in it (VAULT_UPGRADE_NEEDED). Both are answered by
// unlocking again with the person's consent; cancelling leaves the vault locked and untouched.
// On demand (./chunks): an unlock rarely asks.
import type { Failure } from '../../../shared/result'
import { formatDateTime } from '../lib/format'
import { ConfirmDialog } from './ConfirmDialog'
import type { Consent } from './UnlockScreen'
import styles from './UnlockConsent.module.css'

function list(f: Failure, key: string): string[] {
  const v = f.details?.[key]
  return Array.isArray(v) ? v : []
}

function num(f: Failure, key: string): number | null {
  const v = f.details?.[key]
  return typeof v === 'number' ? v : null
}

export function UnlockConsent(props: {
  failure: Failure
  confirm: (consent: Consent) => Promise<void>
  onClose: () => void
}) {
  const f = props.failure
  if (f.code === 'VAULT_ROLLED_BACK') {
    return (
      <ConfirmDialog
        title="This is an older copy of your vault"
        cancelLabel="Keep it locked"
        onClose={props.onClose}
        actions={[
          {
            label: 'Open this older copy',
            tone: 'danger',
            run: () => props.confirm({ acceptOlder: true }),
          },
        ]}
      >
        <p>
          The vault file on disk is older than the newest copy this computer has seen. It may be a
          backup you restored, or an old copy someone put back: accounts, settings and tokens
          changed since are not in it, and tokens minted since still count on their servers.
        </p>
        <dl className={styles.facts} data-testid="rollback-facts">
          <dt>This copy</dt>
          <dd>
            written {formatDateTime(num(f, 'fileWrittenAt'))} (version {num(f, 'fileGeneration')})
          </dd>
          <dt>Newest seen here</dt>
          <dd>
            written {formatDateTime(num(f, 'seenWrittenAt'))} (version {num(f, 'seenGeneration')})
          </dd>
        </dl>
        <p>
          Nothing was written. Open it only if you restored it yourself; otherwise put the newer
          file back.
        </p>
      </ConfirmDialog>
    )
  }
  const sections: [string, string][] = [
    ['accounts', 'Accounts and their servers'],
    ['routes', 'Routes'],
    ['gateway', 'Gateway'],
    ['settings', 'Settings changed from their defaults'],
  ]
  return (
    <ConfirmDialog
      title="Upgrade this vault?"
      onClose={props.onClose}
      actions={[{ label: 'Upgrade and reset these', run: () => props.confirm({ upgrade: true }) }]}
    >
      <p>
        This vault is in the old format 1, in which only secrets and tokens were sealed. Anyone who
        can write its folder could have changed the rest. Check that these are yours, and that each
        account points at the server you expect:
      </p>
      <div className={styles.lists} data-testid="upgrade-facts">
        {sections.map(([key, title]) =>
          list(f, key).length > 0 ? (
            <section key={key}>
              <h3>{title}</h3>
              <ul>
                {list(f, key).map((line, i) => (
                  <li key={i}>{line}</li>
                ))}
              </ul>
            </section>
          ) : null,
        )}
        <section>
          <h3>Reset by the upgrade, not trusted</h3>
          <ul>
            {list(f, 'reset').map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </section>
      </div>
    </ConfirmDialog>
  )
}
