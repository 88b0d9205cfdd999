// A failure in words, inline, with the server's message as plain text.
import { CircleAlert } from 'lucide-react'
import type { Failure } from '../../../shared/result'
import { describeFailure } from '../lib/error-words'
import styles from './ErrorBox.module.css'

/** A failure in words, inline (role=alert); the server's message as plain text. */
export function ErrorBox({ failure, extra }: { failure: Failure; extra?: string[] }) {
  const { title, detail } = describeFailure(failure)
  return (
    <div className={styles.box} role="alert">
      <CircleAlert aria-hidden size={18} />
      <div>
        <strong>{title}</strong>
        {detail ? <p>{detail}</p> : null}
        {extra && extra.length > 0 ? (
          <ul>
            {extra.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  )
}
