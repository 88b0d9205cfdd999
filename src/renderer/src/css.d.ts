// Stylesheet imports: a CSS module maps its local class names to the hashed names Vite generates;
// a plain stylesheet (styles/base.css, the global part) is imported for its side effect only.
declare module '*.module.css' {
  const classes: { readonly [name: string]: string }
  export default classes
}
declare module '*.css'
