"""Flash sales (秒杀): `sales` (marketing and customers), `loading` (Redis from the database),
`buy` (the Redis take and its database record), `pay` (the FLASH_SALE order kind of
`resolvers.ordering.flash_purchases`, the provider's callback, refunds), `reap` (the background
round) and `feed` (live stock for subscriptions)."""
