export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startApp } = await import("./instrumentation-node");
  startApp();
}
