"""Customer service use cases: the bot, conversations and the agents' queue, ratings, tickets."""
