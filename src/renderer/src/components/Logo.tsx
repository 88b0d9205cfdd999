import { Layers } from 'lucide-react'

export function Logo({ compact = false }: { compact?: boolean }) {
  return (
    <div className={`logo ${compact ? 'compact' : ''}`}>
      <span className="logo-mark" aria-hidden>
        <Layers size={compact ? 16 : 20} />
      </span>
      <span className="logo-name">TokenDeck</span>
    </div>
  )
}
