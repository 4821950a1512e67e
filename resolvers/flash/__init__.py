"""Flash sales (秒杀): `sales` (marketing and customers), `loading` (Redis from the database),
`buy`, `pay` and `reap` (everything of the flash-sale order kind, to move onto the ordering
pipeline together) and `feed` (live stock for subscriptions)."""
