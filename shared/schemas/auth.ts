import { z } from 'zod'
import { email } from './workspace'

export const password = z
  .string()
  .min(8, 'Password must be at least 8 characters')
  .max(128, 'Password must be at most 128 characters')

export const displayName = z.string().trim().min(1, 'Name is required').max(80, 'Name must be at most 80 characters')

export const signUpInput = z.object({ name: displayName, email, password })
export const signInInput = z.object({ email, password: z.string().min(1, 'Password is required') })
export const changePasswordInput = z.object({ currentPassword: z.string().min(1, 'Required'), newPassword: password })
