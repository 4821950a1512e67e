"""Flash sales (秒杀): the sale's terms and status (`model`), and the pure rules of taking,
confirming, returning and reaping units (`ledger`) that the Redis Lua scripts must match."""
