"""Customer service rules: the knowledge base, its ranking, conversations, tickets, ratings."""
