DROP TABLE amazon_links;
DROP TABLE attempts;
