// The window: the unlock screen until the vault is open, then the vault screens.
import { useEffect } from 'react'
import { connect, useApp } from '../lib/app-store'
import { describeFailure } from '../lib/error-words'
import { Toasts } from './chunks'
import { Shell } from './Shell'
import { UnlockScreen } from './UnlockScreen'
import styles from './App.module.css'

export function App() {
  const app = useApp()
  useEffect(() => connect(), [])

  let body
  if (!app.loaded) {
    body = <div className={styles.splash} aria-busy="true" />
  } else if (!app.status) {
    const words = app.error
      ? describeFailure(app.error)
      : { title: 'TokenDeck did not answer.', detail: '' }
    body = (
      <main className={styles.splash}>
        <h1>{words.title}</h1>
        <p>{words.detail}</p>
      </main>
    )
  } else if (!app.status.vault.unlocked) {
    body = <UnlockScreen status={app.status} />
  } else {
    body = <Shell status={app.status} />
  }
  return (
    <>
      {body}
      <Toasts />
    </>
  )
}
