import { z } from 'zod'

/** Search params of the sign-in and sign-up pages. */
export const authSearch = z.object({
  redirect: z.string().max(512).optional().catch(undefined),
  email: z.string().max(254).optional().catch(undefined),
})
