-- One role and one database per service (what the local stack's postgres step does).
CREATE ROLE sales LOGIN REPLICATION PASSWORD 'sales';
CREATE ROLE access LOGIN REPLICATION PASSWORD 'access';
CREATE ROLE courses LOGIN REPLICATION PASSWORD 'courses';
CREATE ROLE notifications LOGIN REPLICATION PASSWORD 'notifications';
CREATE DATABASE sales OWNER sales;
CREATE DATABASE access OWNER access;
CREATE DATABASE courses OWNER courses;
CREATE DATABASE notifications OWNER notifications;
