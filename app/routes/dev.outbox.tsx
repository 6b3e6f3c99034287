import { createFileRoute } from '@tanstack/react-router'
import { DevOutbox } from '../components/dev-outbox'

export const Route = createFileRoute('/dev/outbox')({ component: DevOutbox })
