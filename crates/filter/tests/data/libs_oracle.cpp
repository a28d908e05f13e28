// Oracle for tests/data/libs_differential.txt: runs libs' own filter parser
// (falcosecurity/libs 48dfd53cd23f95720521d41b89883bbc35c8567f,
// userspace/libsinsp/filter/{parser,ast,escaping}.cpp) over escaped inputs,
// one per stdin line, and prints "input<TAB>result" lines where result is
//   OK <end index> <tree>    or    ERR <error index> <message>
// and <tree> is the S-expression that tests/parser.rs (`sexpr`) prints for
// our AST. Not built by cargo. To regenerate (needs libre2-dev):
//
//   L=/path/to/libs; I=/tmp/libsh/include   # I: copies of the three .cpp/.h
//   pairs under $I/libsinsp/filter/, plus stub $I/libsinsp/sinsp_public.h
//   (#define SINSP_PUBLIC), sinsp_exception.h (a std::runtime_error) and
//   utils.h (ASSERT(x) empty, trim() as libs' utils.cpp)
//   g++ -std=c++17 -O1 -I$I libs_oracle.cpp $I/libsinsp/filter/{parser,ast,escaping}.cpp -lre2
//   cut -f1 libs_differential.txt | ./a.out > new.txt
//
// Input escapes: \\ \n \t \r and \xHH (other characters stand for themselves).
// The result column escapes \\ \n \t \r and \xHH for every other byte < 0x20
// or >= 0x7f; strings inside trees are first quoted by q() below.

#include <libsinsp/filter/parser.h>
#include <libsinsp/sinsp_exception.h>

#include <iostream>
#include <string>

using namespace libsinsp::filter;
using namespace libsinsp::filter::ast;

static std::string unescape_line(const std::string& s) {
	std::string out;
	for(size_t i = 0; i < s.size(); i++) {
		if(s[i] != '\\' || i + 1 >= s.size()) {
			out += s[i];
			continue;
		}
		char c = s[++i];
		switch(c) {
		case 'n': out += '\n'; break;
		case 't': out += '\t'; break;
		case 'r': out += '\r'; break;
		case 'x':
			out += (char)std::stoi(s.substr(i + 1, 2), nullptr, 16);
			i += 2;
			break;
		default: out += c;
		}
	}
	return out;
}

static std::string q(const std::string& s) {
	static const char* hex = "0123456789abcdef";
	std::string out = "\"";
	for(unsigned char c : s) {
		if(c == '\\' || c == '"') {
			out += '\\';
			out += (char)c;
		} else if(c < 0x20 || c >= 0x7f) {
			out += "\\x";
			out += hex[c >> 4];
			out += hex[c & 15];
		} else {
			out += (char)c;
		}
	}
	return out + "\"";
}

struct sexpr : const_expr_visitor {
	std::string s;
	void children(const char* tag, const std::vector<std::unique_ptr<expr>>& c) {
		s += "(";
		s += tag;
		for(auto& e : c) {
			s += " ";
			e->accept(this);
		}
		s += ")";
	}
	void visit(const and_expr* e) override { children("and", e->children); }
	void visit(const or_expr* e) override { children("or", e->children); }
	void visit(const not_expr* e) override {
		s += "(not ";
		e->child->accept(this);
		s += ")";
	}
	void visit(const identifier_expr* e) override { s += "(id " + q(e->identifier) + ")"; }
	void visit(const value_expr* e) override { s += "(val " + q(e->value) + ")"; }
	void visit(const list_expr* e) override {
		s += "(list";
		for(auto& v : e->values) {
			s += " " + q(v);
		}
		s += ")";
	}
	void visit(const transformer_list_expr* e) override { children("tlist", e->children); }
	void visit(const unary_check_expr* e) override {
		s += "(check ";
		e->left->accept(this);
		s += " " + q(e->op) + ")";
	}
	void visit(const binary_check_expr* e) override {
		// "==" and "=" are one operator for us
		std::string op = e->op;
		if(op.rfind("==", 0) == 0) {
			op = op.substr(1);
		}
		s += "(check ";
		e->left->accept(this);
		s += " " + q(op) + " ";
		e->right->accept(this);
		s += ")";
	}
	void visit(const field_expr* e) override {
		s += "(field " + q(e->field);
		if(e->arg) {
			s += " " + q(*e->arg);
		}
		s += ")";
	}
	void visit(const field_transformer_expr* e) override {
		s += "(tr " + q(e->transformer);
		if(e->arg) {
			s += " [" + q(*e->arg) + "]";
		}
		for(auto& c : e->values) {
			s += " ";
			c->accept(this);
		}
		s += ")";
	}
};

int main() {
	std::string line;
	while(std::getline(std::cin, line)) {
		std::string in = unescape_line(line);
		parser p(in);
		std::string res;
		try {
			auto e = p.parse();
			sexpr v;
			e->accept(&v);
			res = "OK " + std::to_string(p.get_pos().idx) + " " + v.s;
		} catch(const std::exception& ex) {
			res = "ERR " + std::to_string(p.get_pos().idx) + " " + ex.what();
		}
		std::string esc;
		static const char* hex = "0123456789abcdef";
		for(unsigned char c : res) {
			if(c == '\\') {
				esc += "\\\\";
			} else if(c == '\n') {
				esc += "\\n";
			} else if(c == '\t') {
				esc += "\\t";
			} else if(c == '\r') {
				esc += "\\r";
			} else if(c < 0x20 || c >= 0x7f) {
				esc += "\\x";
				esc += hex[c >> 4];
				esc += hex[c & 15];
			} else {
				esc += (char)c;
			}
		}
		std::cout << line << "\t" << esc << "\n";
	}
}
