"""Platform adapters: each translates its platform's messages into ChatService calls and Replies into the
platform's native form. Nothing else: no business logic, no database, no search."""
