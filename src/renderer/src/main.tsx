// The renderer's entry: the global stylesheet, then the app.
// base.css first: every component module comes after it in the bundle, so a module wins ties.
import './styles/base.css'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './components/App'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
