// The renderer's entry: the global stylesheet, then the app.
// base.css first: every component module comes after it in the bundle, so a module wins ties.
import './styles/base.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './components/App'

// The bench reads it: how long the page took to load and run this bundle (bench/renderer.ts).
performance.mark('tokendeck:app-start')
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
