/** SQS with only SendMessageBatch (see aws-ses.ts for why these entry points exist). */
export { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
