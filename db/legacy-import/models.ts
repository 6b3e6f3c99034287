import { MODELS, findModel, resolveModelId } from '../../shared/models'

/** Providers whose catalog ids are `<provider>:<name>`. */
const PROVIDERS = [...new Set(MODELS.map((m) => m.provider))]

/**
 * A legacy model name as a catalog id, or null. Tried as it is (already a
 * catalog id, or `openai:<name>` for local servers), then as `<provider>:<name>`
 * and `<provider>/<name>` (gateway style) against the catalog's own entries,
 * so an unknown bare name is not passed off as an OpenAI model.
 */
export function catalogModel(raw: string | null | undefined): string | null {
  const name = raw?.trim()
  if (!name) return null
  if (findModel(name)) return name
  const slash = /^([a-z]+)\/(.+)$/.exec(name)
  const candidates = [...PROVIDERS.map((p) => `${p}:${name}`), ...(slash ? [`${slash[1]}:${slash[2]}`] : [])]
  return candidates.find((id) => MODELS.some((m) => m.id === id)) ?? null
}

/** The catalog's own first choice, for a sidekiq whose model the catalog does not know. */
export const CATALOG_DEFAULT_MODEL = resolveModelId({}, () => true).id
