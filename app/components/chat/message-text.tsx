/** A message's text as written; answers get Markdown (see AnswerItem). */
export function PlainText({ text }: { text: string }) {
  return <div className="whitespace-pre-wrap">{text}</div>
}
