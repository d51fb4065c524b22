-- Entity ids are unique across all types: the identity map and type-less lookups rely on it.
CREATE TABLE entity_ids (
  id          VARCHAR(64) NOT NULL PRIMARY KEY,
  entity_type VARCHAR(64) NOT NULL,
  KEY ix_entity_ids_type (entity_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE users (
  id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  name        VARCHAR(1000) NOT NULL,
  description TEXT         NULL,
  metadata    JSON         NOT NULL,
  active      BOOLEAN      NOT NULL,
  version     BIGINT       NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(6)  NOT NULL,
  email       VARCHAR(254) NULL,
  role        VARCHAR(16)  NOT NULL,
  status      VARCHAR(16)  NOT NULL,
  extra       JSON         NOT NULL,
  UNIQUE KEY uq_users_email (email),
  KEY ix_users_role (role),
  KEY ix_users_status (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE products (
  id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  name        VARCHAR(1000) NOT NULL,
  description TEXT         NULL,
  metadata    JSON         NOT NULL,
  active      BOOLEAN      NOT NULL,
  version     BIGINT       NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(6)  NOT NULL,
  sku         VARCHAR(64)  NOT NULL,
  price       DECIMAL(19,4) NOT NULL,
  category    VARCHAR(100) NULL,
  stock       INT          NOT NULL,
  extra       JSON         NOT NULL,
  UNIQUE KEY uq_products_sku (sku),
  KEY ix_products_category (category)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE orders (
  id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  name        VARCHAR(1000) NOT NULL,
  description TEXT         NULL,
  metadata    JSON         NOT NULL,
  active      BOOLEAN      NOT NULL,
  version     BIGINT       NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(6)  NOT NULL,
  user_id     VARCHAR(64)  NOT NULL,
  amount      DECIMAL(19,4) NOT NULL,
  currency    CHAR(3)      NOT NULL,
  status      VARCHAR(16)  NOT NULL,
  extra       JSON         NOT NULL,
  KEY ix_orders_status (status),
  CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE order_items (
  order_id    VARCHAR(64)  NOT NULL,
  line_no     INT          NOT NULL,
  product_id  VARCHAR(64)  NOT NULL,
  quantity    INT          NOT NULL,
  unit_price  DECIMAL(19,4) NULL,
  extra       JSON         NOT NULL,
  PRIMARY KEY (order_id, line_no),
  KEY ix_order_items_product (product_id),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE payments (
  id              VARCHAR(64)  NOT NULL PRIMARY KEY,
  name            VARCHAR(1000) NOT NULL,
  description     TEXT         NULL,
  metadata        JSON         NOT NULL,
  active          BOOLEAN      NOT NULL,
  version         BIGINT       NOT NULL,
  created_at      DATETIME(6)  NOT NULL,
  updated_at      DATETIME(6)  NOT NULL,
  order_id        VARCHAR(64)  NOT NULL,
  amount          DECIMAL(19,4) NOT NULL,
  currency        CHAR(3)      NOT NULL,
  method          VARCHAR(16)  NOT NULL,
  status          VARCHAR(16)  NOT NULL,
  transaction_ref VARCHAR(128) NULL,
  extra           JSON         NOT NULL,
  KEY ix_payments_status (status),
  CONSTRAINT fk_payments_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The seed's generic type and every type registered at run time.
CREATE TABLE custom_entities (
  id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  entity_type VARCHAR(64)  NOT NULL,
  name        VARCHAR(1000) NOT NULL,
  description TEXT         NULL,
  metadata    JSON         NOT NULL,
  active      BOOLEAN      NOT NULL,
  version     BIGINT       NOT NULL,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(6)  NOT NULL,
  attributes  JSON         NOT NULL,
  KEY ix_custom_type (entity_type, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE entity_types (
  name         VARCHAR(64)  NOT NULL PRIMARY KEY,
  display_name VARCHAR(255) NOT NULL,
  description  TEXT         NULL,
  json_schema  JSON         NULL,
  created_at   DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
