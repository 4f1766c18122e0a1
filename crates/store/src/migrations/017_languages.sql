-- The language each operator reads the desk in, as a tag of the desk's catalogues ('en',
-- 'es'). Operators made before this read English until they choose.
ALTER TABLE operators ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

-- How the property writes dates (the property file's `locale`); until its file is imported
-- again, the order the desk always used: day, month, year.
ALTER TABLE property ADD COLUMN locale TEXT NOT NULL DEFAULT 'en-GB';
