/** Vite's `?inline` import of a binary fixture: a base64 data: URL of its bytes. */
declare module '*.webm?inline' {
  const dataUrl: string;
  export default dataUrl;
}
