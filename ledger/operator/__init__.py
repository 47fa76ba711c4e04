"""The operator HTTP API's write side: tokens, the durable outbox and the one batching sender."""
