-- expand step: nullable column, filled by the application; the contract step comes later.
ALTER TABLE orders ADD COLUMN channel text;
