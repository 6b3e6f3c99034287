import { createDatabase } from './client'
import { serverEnv } from './env'

const env = serverEnv()
const database = createDatabase(env.DATABASE_URL, env.DATA_DIR)
await database.migrate()
await database.close()
console.log(`migrations applied (${database.driver})`)
