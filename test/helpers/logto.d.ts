/** The two Logto connectors ship no type declarations; the tests use only this much. */
declare module "@logto/connector-http-sms" {
  type Connector = { sendMessage(data: unknown, config: unknown): Promise<unknown> };
  const create: (opts: { getConfig: (id: string) => Promise<unknown> }) => Promise<Connector>;
  export default create;
}
declare module "@logto/connector-tencent-sms" {
  type Connector = { sendMessage(data: unknown, config: unknown): Promise<unknown> };
  const create: (opts: { getConfig: (id: string) => Promise<unknown> }) => Promise<Connector>;
  export default create;
}
