import { Model, DataTypes, type Sequelize, type InferAttributes, type InferCreationAttributes, type CreationOptional, type NonAttribute } from "sequelize";
import type { Organisation } from "./Organisation.ts";

export const STAFF_ROLES = ["admin", "operator", "agency", "uo", "contractor", "supplier", "oversight"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare organisationId: number | null;
  declare role: StaffRole;
  declare login: string;
  declare fullName: string;
  declare position: string | null;
  declare email: string | null;
  declare phone: string | null;
  declare extension: string | null;
  declare passwordHash: string | null;
  declare mustChangePassword: CreationOptional<boolean>;
  declare active: CreationOptional<boolean>;
  declare failedLogins: CreationOptional<number>;
  declare lockedUntil: Date | null;
  declare lastLoginAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
  declare organisation?: NonAttribute<Organisation>;

  static initModel(sequelize: Sequelize) {
    User.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        organisationId: DataTypes.INTEGER,
        role: { type: DataTypes.TEXT, allowNull: false },
        login: { type: DataTypes.TEXT, allowNull: false },
        fullName: { type: DataTypes.TEXT, allowNull: false },
        position: DataTypes.TEXT,
        email: DataTypes.TEXT,
        phone: DataTypes.TEXT,
        extension: DataTypes.TEXT,
        passwordHash: DataTypes.TEXT,
        mustChangePassword: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        failedLogins: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lockedUntil: DataTypes.DATE,
        lastLoginAt: DataTypes.DATE,
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: "users" },
    );
  }
}
