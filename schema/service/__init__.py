"""Customer service: knowledge base, conversations, ratings, tickets."""
