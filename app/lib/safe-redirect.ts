/** Only same-site paths are followed after sign-in, never another origin ("//evil" included). */
export function safeRedirect(target: unknown, fallback = '/'): string {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') && !target.includes('\\')
    ? target
    : fallback
}
