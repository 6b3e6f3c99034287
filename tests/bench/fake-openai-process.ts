/**
 * The fake OpenAI server in a process of its own, as a real provider is on
 * another machine, streaming at a model's pace (a piece every 20 ms, 50 a
 * second) rather than all at once. Prints its URL.
 */
import { startFakeOpenAI } from '../helpers/fake-openai'

const fake = await startFakeOpenAI({ chunks: ['Paris', ' is', ' the', ' capital', '.'], delayMs: 20 })
console.log(`fake-openai ${fake.url}`)
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)))
