DROP SCHEMA amazonpay_sandbox CASCADE;
