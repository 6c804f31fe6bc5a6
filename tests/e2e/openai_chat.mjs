// The official openai client, as an application would use it, against llm-d's base URL: one
// chat completion, then one streamed. Prints what it got as one JSON line; any error exits 1.
// usage: node openai_chat.mjs BASE_URL MODEL   (trust a test CA with NODE_EXTRA_CA_CERTS)
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "sk-e2e", maxRetries: 0, timeout: 20000 });
const messages = [{ role: "user", content: "hi" }];

const whole = await client.chat.completions.create({ model, messages });
const stream = await client.chat.completions.create({ model, messages, stream: true });
let streamed = "";
let chunks = 0;
for await (const chunk of stream) {
  chunks += 1;
  streamed += chunk.choices[0]?.delta?.content ?? "";
}
console.log(JSON.stringify({ content: whole.choices[0].message.content, streamed, chunks }));
