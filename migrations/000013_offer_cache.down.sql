DROP TABLE order_offers;
