/**
 * Runs the example app: `node examples/nest-app/dist/src/main.js` after `npm run build`, with
 * the variables of `.env.example` set (or in a `.env` file in the working directory).
 */
import 'reflect-metadata';
import { createApp } from './create-app';

async function main(): Promise<void> {
  const app = await createApp();
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(port, host);
  console.log(`example app on http://${host}:${port}/`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
