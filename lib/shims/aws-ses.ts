/**
 * SES v2 with only SendEmail: importing the package root with import() would bundle every
 * command it has (113 KB minified; docs/performance.md, levers).
 */
export { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
